# %% [markdown]
# # Churn: numeric features known before the customer leaves

# %%
import pandas as pd
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import train_test_split

train = pd.read_csv("data/train.csv")
test = pd.read_csv("data/test_features.csv")
features = ["tenure_months", "monthly_charges", "support_calls_90d", "satisfaction_score", "last_login_days"]

# %%
X_train, X_val, y_train, y_val = train_test_split(
    train[features].fillna(0), train["churned"], test_size=0.2, random_state=0, stratify=train["churned"]
)
model = RandomForestClassifier(n_estimators=100, random_state=0, n_jobs=1).fit(X_train, y_train)
print("validation accuracy", model.score(X_val, y_val))
proba = model.predict_proba(test[features].fillna(0))[:, 1]
pd.DataFrame({"customer_id": test["customer_id"], "churned": (proba > 0.5).astype(int), "churn_probability": proba}).to_csv(
    "predictions.csv", index=False
)
