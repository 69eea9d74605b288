"""The integrity lab: the simulator's labelled streams turned into scores (`evaluate`), the
baselines the detectors are compared with (`baselines`, scikit-learn), the time each abuse takes
to be found (`detection_time`), and their commands. Apart from the running engine: the lab may
import `sunlit.integrity` and `sunlit.simulate`; `sunlit.integrity` never imports the lab, the
simulator or scikit-learn (tests/test_lab_apart.py)."""
