# %%
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

df = pd.read_csv("data/train.csv")
X = df[["tenure_months", "num_lines", "support_calls_90d"]].fillna(0)
y = df["churned"]
X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y, random_state=0)
# %%
model = make_pipeline(StandardScaler(), LogisticRegression()).fit(X_train, y_train)
print("ROC AUC:", roc_auc_score(y_test, model.predict_proba(X_test)[:, 1]))
