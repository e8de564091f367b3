# %% [markdown]
# # Delivery times: is boosting better than predicting the training mean?

# %%
import pandas as pd
from sklearn.ensemble import GradientBoostingRegressor
from sklearn.metrics import mean_absolute_error
from sklearn.model_selection import train_test_split

df = pd.read_csv("data/train.csv").sort_values("order_time")
X = df[["distance_km", "items_count", "prep_time_estimate_min", "hour"]]
y = df["delivery_minutes"]
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, shuffle=False)

# %%
constant = [y_train.mean()] * len(y_test)
model = GradientBoostingRegressor(random_state=0).fit(X_train, y_train)
print("mean predictor MAE", mean_absolute_error(y_test, constant))
print("boosting MAE", mean_absolute_error(y_test, model.predict(X_test)))
