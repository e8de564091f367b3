# %%
import pandas as pd
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split

df = pd.read_csv("data/train.csv")
X = df[["tenure_months", "num_lines", "support_calls_90d"]].fillna(0)
y = df["churned"]
# %%
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, stratify=y)
# %%
model = RandomForestClassifier(n_estimators=300).fit(X_train, y_train)
print(roc_auc_score(y_test, model.predict_proba(X_test)[:, 1]))
