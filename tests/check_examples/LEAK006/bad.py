# %% [markdown]
# # Churn: choose the tree depth

# %%
import pandas as pd
from sklearn.metrics import f1_score
from sklearn.model_selection import train_test_split
from sklearn.tree import DecisionTreeClassifier

df = pd.read_csv("data/train.csv")
cols = ["tenure_months", "support_calls_90d", "num_lines", "monthly_charges", "age", "last_login_days"]
X_train, X_test, y_train, y_test = train_test_split(df[cols].fillna(-1), df["churned"], test_size=0.2,
                                                    random_state=3, stratify=df["churned"])

# %%
best_score, best_depth = 0, None
for depth in [2, 3, 4, 6, 8, 12]:
    tree = DecisionTreeClassifier(max_depth=depth, random_state=3)
    tree.fit(X_train, y_train)
    score = f1_score(y_test, tree.predict(X_test))
    if score > best_score:
        best_score, best_depth = score, depth
print(best_depth, best_score)
