# %%
import time

time.sleep(4)  # an exhaustive search that should have been bounded
