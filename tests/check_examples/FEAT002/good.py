# %%
import pandas as pd
from sklearn.compose import make_column_transformer
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, StandardScaler

df = pd.read_csv("data/train.csv").fillna(0)
cats = ["region", "contract_type", "payment_method", "internet_service"]
nums = ["tenure_months", "monthly_charges"]
X, y = df[cats + nums], df["churned"]
# %%
linear = make_pipeline(
    make_column_transformer((OneHotEncoder(handle_unknown="ignore"), cats), (StandardScaler(), nums)),
    LogisticRegression(max_iter=1000),
)
# Trees split on codes, so ordinal codes are fine for the forest.
forest = make_pipeline(
    make_column_transformer((OrdinalEncoder(), cats), remainder="passthrough"),
    RandomForestClassifier(random_state=0),
)
for model in (linear, forest):
    print(cross_val_score(model, X, y, scoring="roc_auc").mean())
