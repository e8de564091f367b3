# %% [markdown]
# # Delivery time: time-series cross-validation and an ordered hold-out

# %%
import pandas as pd
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.metrics import mean_absolute_error
from sklearn.model_selection import TimeSeriesSplit, cross_val_score, train_test_split

df = pd.read_csv("data/train.csv").sort_values("order_time").reset_index(drop=True)
X = df[["distance_km", "items_count", "order_value", "hour", "is_weekend"]]
y = df["delivery_minutes"]
print(cross_val_score(HistGradientBoostingRegressor(random_state=0), X, y, cv=TimeSeriesSplit(n_splits=4),
                      scoring="neg_mean_absolute_error").mean())

# %%
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, shuffle=False)
model = HistGradientBoostingRegressor(random_state=0).fit(X_train, y_train)
print(mean_absolute_error(y_test, model.predict(X_test)))
