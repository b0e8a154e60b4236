-- The same work folded into one read statement and one write statement.
\set u random(1, 128)
\set s random(0, 31)
select t.user_id, g.g, u.state, f.data, array(select grp from memberships m where m.tenant='bench' and m.user_id=:u) from tokens t, generation g, users u, form_data f where t.hash = decode(md5(:u::text),'hex') and g.id=1 and u.tenant='bench' and u.id=:u and f.tenant='bench' and f.user_id=:u and f.lang='en_US';
begin;
with l as (select pg_advisory_xact_lock_shared(1), pg_advisory_xact_lock(2, :u)), uu as (update users set state = '{"x":1}', updated_at = now() where tenant='bench' and id=:u returning id), ff as (update form_data set data = '{"a":2,"b":"text","c":[1,2,3]}' where tenant='bench' and user_id=:u and lang='en_US' returning 1), il as (insert into invocation_log(tenant, plugin, at, entry) values ('bench','v',now(),'{"outcome":"ok"}') returning 1), cc as (update counters set calls = calls + 1 where tenant='bench' and plugin='v' and shard=:s returning 1) select (select count(*) from l), (select count(*) from uu), (select count(*) from ff), (select count(*) from il), (select count(*) from cc);
commit;
