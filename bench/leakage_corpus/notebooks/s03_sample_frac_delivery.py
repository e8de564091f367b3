# %% [markdown]
# # Delivery time: hold out a random 20 %

# %%
import pandas as pd
from sklearn.linear_model import LinearRegression
from sklearn.metrics import mean_absolute_error

df = pd.read_csv("data/train.csv").fillna(0)
cols = ["distance_km", "items_count", "order_value", "prep_time_estimate_min", "hour"]
train_df = df.sample(frac=0.8, random_state=1)
test_df = df.drop(train_df.index)

# %%
lin = LinearRegression().fit(train_df[cols], train_df["delivery_minutes"])
print(mean_absolute_error(test_df["delivery_minutes"], lin.predict(test_df[cols])))
