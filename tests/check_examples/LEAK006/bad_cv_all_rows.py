# %% [markdown]
# # HR attrition: compare models with cross-validation, then test

# %%
import pandas as pd
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import cross_val_score, train_test_split

df = pd.read_csv("data/train.csv")
X = df.drop(columns=["Attrition"])
y = df["Attrition"]
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=0, stratify=y)

# %%
print("LR", cross_val_score(LogisticRegression(max_iter=1000), X, y, cv=5, scoring="roc_auc").mean())
print("RF", cross_val_score(RandomForestClassifier(random_state=0), X, y, cv=5, scoring="roc_auc").mean())

# %%
final = RandomForestClassifier(random_state=0).fit(X_train, y_train)
print("test AUC", roc_auc_score(y_test, final.predict_proba(X_test)[:, 1]))
