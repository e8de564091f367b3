# %% [markdown]
# # Delivery: repeated random validation

# %%
import pandas as pd
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.model_selection import ShuffleSplit, cross_validate

orders = pd.read_csv("data/train.csv")
X = orders[["distance_km", "items_count", "order_value", "hour", "is_weekend"]]
y = orders["delivery_minutes"]
scores = cross_validate(HistGradientBoostingRegressor(random_state=0), X, y,
                        cv=ShuffleSplit(n_splits=3, test_size=0.2, random_state=0),
                        scoring="neg_mean_absolute_error")
print(-scores["test_score"].mean())
