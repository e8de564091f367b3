# %% [markdown]
# # Meridian fraud: imbalanced learning done right

# %%
import numpy as np
import pandas as pd
from imblearn.over_sampling import SMOTE
from imblearn.pipeline import Pipeline
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, f1_score, precision_recall_curve
from sklearn.model_selection import StratifiedKFold, cross_val_predict, train_test_split
from sklearn.preprocessing import OneHotEncoder, StandardScaler

df = pd.read_csv("data/train.csv").drop(columns=["chargeback_filed"])
df["device_type"] = df["device_type"].str.lower().str.replace(" ", "_")
num = ["amount", "hour_of_day", "distance_from_home_km", "card_age_days", "txn_count_24h", "avg_amount_30d"]
cat = ["merchant_category", "entry_mode", "device_type"]
X_train, X_test, y_train, y_test = train_test_split(df[num + cat], df["is_fraud"], test_size=0.2,
                                                    stratify=df["is_fraud"], random_state=0)

# %%
model = Pipeline([
    ("pre", ColumnTransformer([("num", Pipeline([("imp", SimpleImputer(strategy="median")),
                                                 ("sc", StandardScaler())]), num),
                               ("cat", OneHotEncoder(handle_unknown="ignore"), cat)])),
    ("smote", SMOTE(random_state=0)),
    ("lr", LogisticRegression(max_iter=2000)),
])
oof = cross_val_predict(model, X_train, y_train, cv=StratifiedKFold(5, shuffle=True, random_state=0),
                        method="predict_proba")[:, 1]
precision, recall, thresholds = precision_recall_curve(y_train, oof)
f1 = 2 * precision * recall / np.maximum(precision + recall, 1e-9)
threshold = thresholds[np.argmax(f1[:-1])]
print("threshold from out-of-fold predictions", round(float(threshold), 3))

# %%
model.fit(X_train, y_train)
test_proba = model.predict_proba(X_test)[:, 1]
print("test AP", average_precision_score(y_test, test_proba))
print("test F1", f1_score(y_test, (test_proba >= threshold).astype(int)))
