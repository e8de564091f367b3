# %% [markdown]
# # Churn: the ten best features, chosen on every row, then a test split

# %%
import pandas as pd
from sklearn.feature_selection import SelectKBest, f_classif
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split

df = pd.read_csv("data/train.csv")
X = df.select_dtypes("number").drop(columns=["churned"]).fillna(0)
y = df["churned"]
X_best = SelectKBest(f_classif, k=5).fit_transform(X, y)

# %%
X_train, X_test, y_train, y_test = train_test_split(X_best, y, test_size=0.2, random_state=0, stratify=y)
model = LogisticRegression(max_iter=1000).fit(X_train, y_train)
print("AUC", roc_auc_score(y_test, model.predict_proba(X_test)[:, 1]))
