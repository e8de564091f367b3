# %% [markdown]
# # Delivery time: random validation split

# %%
import pandas as pd
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.metrics import mean_absolute_error
from sklearn.model_selection import train_test_split

orders = pd.read_csv("data/train.csv")
features = ["distance_km", "items_count", "order_value", "prep_time_estimate_min", "hour", "is_weekend",
            "courier_experience_days"]
X = orders[features]
y = orders["delivery_minutes"]

# %%
X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=0.2, random_state=42)
model = HistGradientBoostingRegressor(random_state=42).fit(X_train, y_train)
print("validation MAE", mean_absolute_error(y_val, model.predict(X_val)))
