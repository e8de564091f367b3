# %% [markdown]
# # Delivery: time-aware validation, pandas feature engineering

# %%
import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.metrics import mean_absolute_error
from sklearn.model_selection import TimeSeriesSplit, cross_val_score

orders = pd.read_csv("data/train.csv", parse_dates=["order_time"])
orders = orders.sort_values("order_time").reset_index(drop=True)
orders["dow"] = orders["order_time"].dt.dayofweek
orders["is_peak"] = orders["hour"].isin([12, 13, 19, 20]).astype(int)
orders["value_per_item"] = orders["order_value"] / orders["items_count"].clip(lower=1)
orders = orders.drop(columns=["delivered_at", "customer_rating"])
FEATURES = ["distance_km", "items_count", "order_value", "prep_time_estimate_min", "hour", "dow", "is_peak",
            "value_per_item", "courier_experience_days"]

# %%
cutoff = orders["order_time"].quantile(0.8)
train = orders[orders["order_time"] <= cutoff]
holdout = orders[orders["order_time"] > cutoff]
model = HistGradientBoostingRegressor(loss="absolute_error", random_state=0)
print(cross_val_score(model, train[FEATURES], train["delivery_minutes"], cv=TimeSeriesSplit(4),
                      scoring="neg_mean_absolute_error").mean())
model.fit(train[FEATURES], train["delivery_minutes"])
print("later-period MAE", mean_absolute_error(holdout["delivery_minutes"], model.predict(holdout[FEATURES])))
print(np.round(model.predict(holdout[FEATURES])[:5], 1))
