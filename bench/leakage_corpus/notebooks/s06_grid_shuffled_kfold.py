# %% [markdown]
# # Delivery: tune with shuffled folds

# %%
import pandas as pd
from sklearn.ensemble import RandomForestRegressor
from sklearn.metrics import mean_absolute_error
from sklearn.model_selection import GridSearchCV, KFold

orders = pd.read_csv("data/train.csv", parse_dates=["order_time"])
features = ["distance_km", "items_count", "order_value", "hour", "is_weekend"]
train = orders[orders.order_time < "2024-09-01"]
valid = orders[orders.order_time >= "2024-09-01"]

# %%
grid = GridSearchCV(RandomForestRegressor(n_estimators=30, random_state=0, n_jobs=1), {"max_depth": [6, 12]},
                    cv=KFold(n_splits=3, shuffle=True, random_state=0), scoring="neg_mean_absolute_error")
grid.fit(train[features], train["delivery_minutes"])
print(grid.best_params_, mean_absolute_error(valid["delivery_minutes"], grid.predict(valid[features])))
