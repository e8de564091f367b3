# %%
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import LabelEncoder, StandardScaler

df = pd.read_csv("data/train.csv").fillna(0)
# %%
for col in ["region", "contract_type", "payment_method", "internet_service"]:
    df[col] = LabelEncoder().fit_transform(df[col].astype(str))
# %%
X = df[["region", "contract_type", "payment_method", "internet_service", "tenure_months"]]
y = LabelEncoder().fit_transform(df["churned"])
print(cross_val_score(make_pipeline(StandardScaler(), LogisticRegression()), X, y, scoring="roc_auc").mean())
