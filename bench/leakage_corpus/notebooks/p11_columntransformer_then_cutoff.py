# %% [markdown]
# # Delivery: preprocessing, then a date cut-off

# %%
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.impute import SimpleImputer
from sklearn.metrics import mean_absolute_error
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

orders = pd.read_csv("data/train.csv", parse_dates=["order_time"]).sort_values("order_time")
num_cols = ["distance_km", "items_count", "order_value", "prep_time_estimate_min", "courier_experience_days", "hour"]
cat_cols = ["cuisine", "vehicle_type", "traffic_level"]
prep = ColumnTransformer([
    ("num", Pipeline([("imp", SimpleImputer(strategy="median")), ("sc", StandardScaler())]), num_cols),
    ("cat", OneHotEncoder(handle_unknown="ignore"), cat_cols),
])
X_all = prep.fit_transform(orders)
y_all = orders["delivery_minutes"].to_numpy()

# %%
cut = int(len(orders) * 0.8)
X_train, X_valid = X_all[:cut], X_all[cut:]
y_train, y_valid = y_all[:cut], y_all[cut:]
reg = HistGradientBoostingRegressor(random_state=0).fit(X_train, y_train)
print("MAE", mean_absolute_error(y_valid, reg.predict(X_valid)))
