# %% [markdown]
# # Fraud: resampling inside the cross-validation

# %%
import pandas as pd
from imblearn.over_sampling import SMOTE
from imblearn.pipeline import Pipeline
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.preprocessing import StandardScaler

df = pd.read_csv("data/train.csv")
X = df[["amount", "hour_of_day", "txn_count_24h", "avg_amount_30d", "is_foreign"]]
y = df["is_fraud"]

# %%
pipe = Pipeline([("scale", StandardScaler()), ("smote", SMOTE(random_state=0)),
                 ("lr", LogisticRegression(max_iter=1000))])
cv = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)
print(cross_val_score(pipe, X, y, cv=cv, scoring="average_precision").mean())
