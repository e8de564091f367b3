# %% [markdown]
# # Delivery: time cut-off and a time-aware search

# %%
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import Ridge
from sklearn.metrics import mean_absolute_error
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

orders = pd.read_csv("data/train.csv", parse_dates=["order_time"]).sort_values("order_time")
cutoff = pd.Timestamp("2024-09-01")
train = orders[orders["order_time"] < cutoff]
valid = orders[orders["order_time"] >= cutoff]
num = ["distance_km", "items_count", "order_value", "prep_time_estimate_min", "hour"]
cat = ["cuisine", "traffic_level"]

# %%
pre = ColumnTransformer([("num", Pipeline([("imp", SimpleImputer()), ("sc", StandardScaler())]), num),
                         ("cat", OneHotEncoder(handle_unknown="ignore"), cat)])
search = GridSearchCV(Pipeline([("pre", pre), ("ridge", Ridge())]), {"ridge__alpha": [0.1, 1, 10]},
                      cv=TimeSeriesSplit(n_splits=4), scoring="neg_mean_absolute_error")
search.fit(train[num + cat], train["delivery_minutes"])
print("valid MAE", mean_absolute_error(valid["delivery_minutes"], search.predict(valid[num + cat])))
