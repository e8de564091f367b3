# %% [markdown]
# # Delivery time: cross-validation

# %%
import pandas as pd
from sklearn.ensemble import RandomForestRegressor
from sklearn.model_selection import KFold, cross_val_score

df = pd.read_csv("data/train.csv")
cols = ["distance_km", "items_count", "order_value", "hour", "is_weekend"]
kf = KFold(n_splits=5, shuffle=True, random_state=0)
scores = cross_val_score(RandomForestRegressor(n_estimators=40, random_state=0, n_jobs=1), df[cols],
                         df["delivery_minutes"], cv=kf, scoring="neg_mean_absolute_error")
print(-scores.mean())
