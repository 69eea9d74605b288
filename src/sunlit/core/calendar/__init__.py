"""Working days: weekends, and the holidays and adjusted workdays (调休) the State Council
publishes each year, kept as data that operators load (``sunlit calendar load FILE``)."""
