-- Weibo/Douyin topic measures of the city's topics in the month (supplementary, weight 0).
select
    city_code,
    platform,
    cast($days as integer) as days,
    topic_reach as reads,
    discussions,
    hot_search_entries
from topic_totals
order by city_code, platform
