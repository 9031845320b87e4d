-- A(c, p): the official city accounts registered (dim_official_account, from the accounts seed) and
-- valid during the month.
create or replace temp table registry_accounts as
select
    accounts.platform,
    cast(accounts.account_id as varchar) as account_id,
    accounts.account_name,
    cast(accounts.city_code as varchar) as city_code
from dim_official_account as accounts
where accounts.account_type = 'official'
    and (accounts.valid_from is null or cast(accounts.valid_from as date) < cast($next_first_day as date))
    and (accounts.valid_to is null or cast(accounts.valid_to as date) >= cast($first_day as date))
