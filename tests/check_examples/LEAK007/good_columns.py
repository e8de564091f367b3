# %% [markdown]
# # Fraud: explicit feature lists

# %%
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.metrics import average_precision_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder

df = pd.read_csv("data/train.csv")
X = df.drop(columns=["is_fraud"])
y = df["is_fraud"]
numeric = ["amount", "hour_of_day", "distance_from_home_km", "card_age_days", "txn_count_24h", "avg_amount_30d"]
categorical = ["merchant_category", "entry_mode"]

# %%
pre = ColumnTransformer([("num", SimpleImputer(strategy="median"), numeric),
                         ("cat", OneHotEncoder(handle_unknown="ignore", sparse_output=False), categorical)])
model = Pipeline([("pre", pre), ("hgb", HistGradientBoostingClassifier(random_state=0))])
X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y, random_state=0)
model.fit(X_train, y_train)
print("AP", average_precision_score(y_test, model.predict_proba(X_test)[:, 1]))
