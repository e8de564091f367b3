# %% [markdown]
# # Delivery times: a naive first look, then boosting
#
# The naive approach would be to guess; we do better with a model.

# %%
import matplotlib.pyplot as plt
import pandas as pd
from sklearn.ensemble import GradientBoostingRegressor
from sklearn.linear_model import LinearRegression
from sklearn.metrics import mean_absolute_error
from sklearn.model_selection import train_test_split

df = pd.read_csv("data/train.csv").sort_values("order_time")
X = pd.get_dummies(df[["distance_km", "items_count", "prep_time_estimate_min", "hour"]], drop_first=True)
y = df["delivery_minutes"]
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, shuffle=False)

# %% [markdown]
# We created 4 dummy variables above; the Naive Bayes idea of independent features does not apply here.

# %%
linear = LinearRegression().fit(X_train, y_train)
boost = GradientBoostingRegressor(random_state=0).fit(X_train, y_train)
scores = {name: mean_absolute_error(y_test, m.predict(X_test)) for name, m in [("linear", linear), ("boost", boost)]}
plt.bar(list(scores), list(scores.values()))
for i, value in enumerate(scores.values()):
    plt.text(i, value, f"{value:.1f}", va="baseline", ha="center")
