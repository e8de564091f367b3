# %%
import pandas as pd
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_validate
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

df = pd.read_csv("data/train.csv")
X = df[["tenure_months", "num_lines", "support_calls_90d"]].fillna(0)
y = df["churned"]
cv = StratifiedKFold(5, shuffle=True, random_state=0)
# %%
models = [make_pipeline(StandardScaler(), LogisticRegression()), RandomForestClassifier(random_state=0)]
for model in models:
    print(cross_validate(model, X, y, cv=cv, scoring="roc_auc")["test_score"].mean())
