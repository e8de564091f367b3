# %% [markdown]
# # Churn: select on validation, confirm on test

# %%
import pandas as pd
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.tree import DecisionTreeClassifier

df = pd.read_csv("data/train.csv")
cols = ["tenure_months", "support_calls_90d", "num_lines", "monthly_charges", "age"]
X = df[cols].fillna(-1)
y = df["churned"]
X_temp, X_test, y_temp, y_test = train_test_split(X, y, test_size=0.2, random_state=0, stratify=y)
X_train, X_val, y_train, y_val = train_test_split(X_temp, y_temp, test_size=0.25, random_state=0, stratify=y_temp)

# %%
best_auc, best_depth = 0.0, None
for depth in [2, 4, 6, 8]:
    tree = DecisionTreeClassifier(max_depth=depth, random_state=0).fit(X_train, y_train)
    auc = roc_auc_score(y_val, tree.predict_proba(X_val)[:, 1])
    if auc > best_auc:
        best_auc, best_depth = auc, depth

# %%
final = DecisionTreeClassifier(max_depth=best_depth, random_state=0).fit(X_temp, y_temp)
print("test AUC", roc_auc_score(y_test, final.predict_proba(X_test)[:, 1]))
