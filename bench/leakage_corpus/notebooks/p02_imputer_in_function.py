# %% [markdown]
# # Churn with a preprocessing helper

# %%
import pandas as pd
from sklearn.ensemble import RandomForestClassifier
from sklearn.impute import SimpleImputer
from sklearn.metrics import f1_score
from sklearn.model_selection import train_test_split

NUM = ["tenure_months", "age", "monthly_charges", "data_usage_gb_30d", "last_login_days", "support_calls_90d"]


def load(path):
    frame = pd.read_csv(path)
    return frame.drop_duplicates()


def preprocess(frame):
    imputer = SimpleImputer(strategy="median")
    features = pd.DataFrame(imputer.fit_transform(frame[NUM]), columns=NUM, index=frame.index)
    return features, frame["churned"]


# %%
raw = load("data/train.csv")
features, labels = preprocess(raw)

# %%
X_tr, X_te, y_tr, y_te = train_test_split(features, labels, test_size=0.25, random_state=0)
forest = RandomForestClassifier(n_estimators=100, random_state=0)
forest.fit(X_tr, y_tr)
print("F1 on test:", f1_score(y_te, forest.predict(X_te)))
