# %% [markdown]
# # Fraud: every numeric column

# %%
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import average_precision_score
from sklearn.model_selection import train_test_split

df = pd.read_csv("data/train.csv")
numeric = df.select_dtypes(include="number")
X = numeric.drop(columns=["is_fraud"])
y = numeric["is_fraud"]

# %%
X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y, random_state=0)
hgb = HistGradientBoostingClassifier(random_state=0).fit(X_train, y_train)
print("AP", average_precision_score(y_test, hgb.predict_proba(X_test)[:, 1]))
