# %% [markdown]
# # Delivery: walk-forward validation

# %%
import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.metrics import mean_absolute_error
from sklearn.model_selection import TimeSeriesSplit

df = pd.read_csv("data/train.csv").sort_values("order_time").reset_index(drop=True)
X = df[["distance_km", "items_count", "order_value", "hour", "is_weekend"]]
y = df["delivery_minutes"]
errors = []
for train_idx, valid_idx in TimeSeriesSplit(n_splits=4).split(X):
    model = HistGradientBoostingRegressor(random_state=0).fit(X.iloc[train_idx], y.iloc[train_idx])
    errors.append(mean_absolute_error(y.iloc[valid_idx], model.predict(X.iloc[valid_idx])))
print(np.round(errors, 2))
