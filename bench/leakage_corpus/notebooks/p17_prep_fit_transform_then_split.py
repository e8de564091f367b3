# %% [markdown]
# # Fraud: preprocess everything, then split

# %%
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import RandomForestClassifier
from sklearn.impute import SimpleImputer
from sklearn.metrics import average_precision_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

df = pd.read_csv("data/train.csv")
num = ["amount", "hour_of_day", "distance_from_home_km", "card_age_days", "txn_count_24h"]
cat = ["merchant_category", "entry_mode"]
prep = ColumnTransformer([("n", Pipeline([("i", SimpleImputer()), ("s", StandardScaler())]), num),
                          ("c", OneHotEncoder(handle_unknown="ignore"), cat)])
X = prep.fit_transform(df)
y = df["is_fraud"]

# %%
X_tr, X_te, y_tr, y_te = train_test_split(X, y, stratify=y, random_state=1)
rf = RandomForestClassifier(n_estimators=50, random_state=1, n_jobs=1).fit(X_tr, y_tr)
print(average_precision_score(y_te, rf.predict_proba(X_te)[:, 1]))
