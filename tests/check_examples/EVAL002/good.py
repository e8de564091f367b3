# %%
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

df = pd.read_csv("data/train.csv")
X = df[["tenure_months", "num_lines", "support_calls_90d"]].fillna(0)
y = df["churned"]
# %%
cv = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)
scores = cross_val_score(make_pipeline(StandardScaler(), LogisticRegression()), X, y, cv=cv, scoring="roc_auc")
print(f"ROC AUC: {scores.mean():.3f} ± {scores.std():.3f}")
