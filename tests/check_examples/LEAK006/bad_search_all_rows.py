# %% [markdown]
# # HR attrition: grid search on all rows, then a test split

# %%
import pandas as pd
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import GridSearchCV, train_test_split

df = pd.read_csv("data/train.csv")
X = df.drop(columns=["Attrition"])
y = df["Attrition"]

# %%
grid = GridSearchCV(RandomForestClassifier(random_state=0), {"max_depth": [3, 5, 8]}, cv=5, scoring="roc_auc")
grid.fit(X, y)
print(grid.best_params_)

# %%
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=0, stratify=y)
final = RandomForestClassifier(random_state=0, **grid.best_params_).fit(X_train, y_train)
print("test AUC", roc_auc_score(y_test, final.predict_proba(X_test)[:, 1]))
