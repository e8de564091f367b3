# %% [markdown]
# # Churn: one model, several metrics

# %%
import pandas as pd
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, precision_score, recall_score, roc_auc_score
from sklearn.model_selection import train_test_split

df = pd.read_csv("data/train.csv")
cols = ["tenure_months", "support_calls_90d", "num_lines", "monthly_charges", "age"]
X_train, X_test, y_train, y_test = train_test_split(df[cols].fillna(-1), df["churned"], random_state=0,
                                                    stratify=df["churned"])
model = RandomForestClassifier(n_estimators=80, random_state=0, n_jobs=1).fit(X_train, y_train)

# %%
pred = model.predict(X_test)
proba = model.predict_proba(X_test)[:, 1]
for metric in [accuracy_score, f1_score, precision_score, recall_score]:
    print(metric.__name__, round(metric(y_test, pred), 3))
auc = roc_auc_score(y_test, proba)
print("AUC", auc)
if auc > 0.8:
    print("good enough for a first version")
print(confusion_matrix(y_test, pred))
