# %%
import pandas as pd
from sklearn.dummy import DummyRegressor
from sklearn.ensemble import GradientBoostingRegressor
from sklearn.model_selection import TimeSeriesSplit, cross_val_score

df = pd.read_csv("data/train.csv").sort_values("order_time")
X = df[["distance_km", "items_count", "prep_time_estimate_min", "hour"]]
y = df["delivery_minutes"]
cv = TimeSeriesSplit(5)
# %%
for name, model in {"median baseline": DummyRegressor(strategy="median"),
                    "boosting": GradientBoostingRegressor(random_state=0)}.items():
    scores = -cross_val_score(model, X, y, cv=cv, scoring="neg_mean_absolute_error")
    print(f"{name}: MAE {scores.mean():.2f} minutes")
