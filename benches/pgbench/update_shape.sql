-- One validated updateUser as Portico runs it: token, generation, read transaction, write transaction.
\set u random(1, 128)
\set s random(0, 31)
select tenant, user_id from tokens where hash = decode(md5(:u::text),'hex');
select g from generation where id = 1;
begin isolation level repeatable read read only;
select * from users where tenant='bench' and id=:u;
select * from form_data where tenant='bench' and user_id=:u;
select * from memberships where tenant='bench' and user_id=:u;
commit;
begin;
select pg_advisory_xact_lock_shared(1), pg_advisory_xact_lock(2, :u);
select * from users where tenant='bench' and id=:u;
update users set state = '{"x":1}', updated_at = now() where tenant='bench' and id=:u;
update form_data set data = '{"a":2,"b":"text","c":[1,2,3]}' where tenant='bench' and user_id=:u and lang='en_US';
delete from memberships where tenant='bench' and user_id=:u;
insert into memberships values ('bench', :u, 'g1');
insert into invocation_log(tenant, plugin, at, entry) values ('bench','v',now(),'{"outcome":"ok"}');
update counters set calls = calls + 1 where tenant='bench' and plugin='v' and shard=:s;
update generation set g = g where false;
commit;
