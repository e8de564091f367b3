# %% [markdown]
# # Delivery time: my own cross-validation loop

# %%
import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.metrics import mean_absolute_error
from sklearn.model_selection import KFold

df = pd.read_csv("data/train.csv")
X = df[["distance_km", "items_count", "order_value", "hour", "is_weekend"]]
y = df["delivery_minutes"]
maes = []
for _fold, (tr, va) in enumerate(KFold(n_splits=4, shuffle=True, random_state=7).split(X)):
    model = HistGradientBoostingRegressor(random_state=7).fit(X.iloc[tr], y.iloc[tr])
    maes.append(mean_absolute_error(y.iloc[va], model.predict(X.iloc[va])))
print(np.mean(maes))
