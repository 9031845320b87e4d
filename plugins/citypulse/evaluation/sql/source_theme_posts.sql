-- BEST theme mix: every post attributed to the city and published in the month, by theme initial.
select
    cast(city_code as varchar) as city_code,
    platform,
    upper(left(best_theme, 1)) as best_theme,
    count(*) as posts
from dim_post
where city_code is not null
    and best_theme is not null
    and published_at >= cast($m_start as timestamptz)
    and published_at < cast($m_end as timestamptz)
group by all
order by city_code, platform, best_theme
