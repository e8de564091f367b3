# %% [markdown]
# # Fraud: exploration, then a pipeline after the split

# %%
import pandas as pd
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

df = pd.read_csv("data/train.csv")
print(df.describe())
print(df.mean(numeric_only=True))
print(df.groupby("entry_mode")["is_fraud"].mean())
print("fraud rate", df["is_fraud"].mean(), "median amount", df["amount"].median())

# %%
cols = ["amount", "hour_of_day", "txn_count_24h", "avg_amount_30d", "distance_from_home_km"]
X_train, X_test, y_train, y_test = train_test_split(df[cols], df["is_fraud"], stratify=df["is_fraud"], random_state=0)
model = make_pipeline(SimpleImputer(), StandardScaler(), LogisticRegression(max_iter=1000))
model.fit(X_train, y_train)
print(average_precision_score(y_test, model.predict_proba(X_test)[:, 1]))
