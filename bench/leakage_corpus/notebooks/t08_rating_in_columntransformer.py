# %% [markdown]
# # Delivery: pipeline with a time cut-off

# %%
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import Ridge
from sklearn.metrics import mean_absolute_error
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder

orders = pd.read_csv("data/train.csv", parse_dates=["order_time"])
train = orders[orders.order_time < "2024-09-01"]
valid = orders[orders.order_time >= "2024-09-01"]
numeric = ["distance_km", "items_count", "order_value", "hour", "customer_rating"]
categorical = ["cuisine", "traffic_level"]

# %%
model = Pipeline([("pre", ColumnTransformer([("num", SimpleImputer(strategy="median"), numeric),
                                             ("cat", OneHotEncoder(handle_unknown="ignore"), categorical)])),
                  ("ridge", Ridge())])
model.fit(train, train["delivery_minutes"])
print("MAE", mean_absolute_error(valid["delivery_minutes"], model.predict(valid)))
