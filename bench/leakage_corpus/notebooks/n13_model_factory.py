# %% [markdown]
# # Churn: a model factory

# %%
import pandas as pd
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler


def build_model(C=1.0):
    return Pipeline([("impute", SimpleImputer(strategy="median")), ("scale", StandardScaler()),
                     ("clf", LogisticRegression(C=C, max_iter=1000))])


df = pd.read_csv("data/train.csv")
features = ["tenure_months", "age", "monthly_charges", "data_usage_gb_30d", "support_calls_90d"]
X_train, X_test, y_train, y_test = train_test_split(df[features], df["churned"], stratify=df["churned"],
                                                    random_state=0)

# %%
model = build_model(C=0.5)
model.fit(X_train, y_train)
print("test AUC", roc_auc_score(y_test, model.predict_proba(X_test)[:, 1]))
