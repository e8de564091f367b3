# %% [markdown]
# # Fraud: look at the chargeback flag, then leave it out

# %%
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import average_precision_score
from sklearn.model_selection import train_test_split

df = pd.read_csv("data/train.csv")
print(pd.crosstab(df["chargeback_filed"], df["is_fraud"], normalize="index"))
print(df.groupby("chargeback_filed")["amount"].median())
# chargebacks are filed weeks after the transaction: not available at authorisation time
features = [c for c in df.select_dtypes("number").columns if c not in ("is_fraud", "chargeback_filed")]

# %%
X_train, X_test, y_train, y_test = train_test_split(df[features], df["is_fraud"], stratify=df["is_fraud"],
                                                    random_state=0)
model = HistGradientBoostingClassifier(random_state=0).fit(X_train, y_train)
print(average_precision_score(y_test, model.predict_proba(X_test)[:, 1]))
