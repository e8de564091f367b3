# %%
import features
