# %%
import pandas as pd
from sklearn.ensemble import GradientBoostingRegressor
from sklearn.metrics import mean_absolute_error
from sklearn.model_selection import TimeSeriesSplit, cross_val_score

df = pd.read_csv("data/train.csv").sort_values("order_time")
X = df[["distance_km", "items_count", "prep_time_estimate_min", "hour"]]
y = df["delivery_minutes"]
# %%
model = GradientBoostingRegressor(random_state=0)
scores = -cross_val_score(model, X, y, cv=TimeSeriesSplit(5), scoring="neg_mean_absolute_error")
print(f"MAE: {scores.mean():.2f} minutes")
