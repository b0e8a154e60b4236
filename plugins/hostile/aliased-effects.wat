;; Lifecycle hooks whose answers alias the same LEN bytes of their memory: every `before-*`
;; hook vetoes with that message, every `after-*` hook answers COUNT `add-to-group` effects,
;; each naming it as the group: a few instructions answer COUNT x LEN bytes. Lifting must stop
;; at the output limit, not after copying them all. The tests replace the placeholders and
;; compile it with the `wat` crate.
;;
;; Memory: the answer at 0, the aliased bytes (zeros) from 64 KiB, the effects from 17 MiB,
;; what the host passes in (cabi_realloc) from 18 MiB.
(component
  (core module $main
    (memory (export "memory") 320)
    (global $next (mut i32) (i32.const 18874368))
    (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32)
      (local $at i32)
      (local.set $at (i32.and
        (i32.add (global.get $next) (i32.sub (local.get 2) (i32.const 1)))
        (i32.sub (i32.const 0) (local.get 2))))
      (global.set $next (i32.add (local.get $at) (local.get 3)))
      (local.get $at))
    ;; At 0: `err(veto)`, the veto's message (at 4: pointer, length) LEN bytes from 64 KiB.
    (func $before (param i32) (result i32)
      (i32.store8 (i32.const 0) (i32.const 1))
      (i32.store (i32.const 4) (i32.const 65536))
      (i32.store (i32.const 8) (i32.const {LEN}))
      (i32.const 0))
    ;; At 0: the effects' (pointer, length); each effect (28 bytes) is case 0, `add-to-group`,
    ;; with its group (at 4: pointer, length) LEN bytes from 64 KiB.
    (func $after (param i32) (result i32)
      (local $i i32)
      (local $at i32)
      (block $done
        (loop $effects
          (br_if $done (i32.ge_u (local.get $i) (i32.const {COUNT})))
          (local.set $at (i32.add (i32.const 17825792) (i32.mul (local.get $i) (i32.const 28))))
          (i32.store8 (local.get $at) (i32.const 0))
          (i32.store offset=4 (local.get $at) (i32.const 65536))
          (i32.store offset=8 (local.get $at) (i32.const {LEN}))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $effects)))
      (i32.store (i32.const 0) (i32.const 17825792))
      (i32.store (i32.const 4) (i32.const {COUNT}))
      (i32.const 0))
    (export "before-block" (func $before))
    (export "before-unblock" (func $before))
    (export "before-grant-access" (func $before))
    (export "before-deny-access" (func $before))
    (export "before-add-user" (func $before))
    (export "after-block" (func $after))
    (export "after-unblock" (func $after))
    (export "after-grant-access" (func $after))
    (export "after-deny-access" (func $after))
    (export "after-add-user" (func $after)))
  (core instance $main (instantiate $main))

  (type $profile-view (record
    (field "id" string) (field "email" string) (field "status" string)
    (field "user-id" (option string)) (field "groups" (list string)) (field "data" string)))
  (type $user-view (record
    (field "id" string) (field "email" string) (field "status" string)
    (field "groups" (list string)) (field "data" string)))
  (type $actor-kind (enum "operator" "api-key" "portal-user" "system"))
  (type $actor (record (field "kind" $actor-kind) (field "id" string)))
  (type $hook-event (record
    (field "profile" $profile-view) (field "user" (option $user-view)) (field "actor" $actor)
    (field "details" string)))
  (type $veto (record (field "message" string)))
  (type $field-assignment (record (field "marker" string) (field "value" string)))
  (type $notification (record
    (field "channel" string) (field "template" string) (field "data" string)))
  (type $effect (variant
    (case "add-to-group" string) (case "remove-from-group" string)
    (case "set-field" $field-assignment) (case "notify" $notification)))
  (type $before (func (param "event" $hook-event) (result (result (error $veto)))))
  (type $after (func (param "event" $hook-event) (result (list $effect))))
  (func $before-block (type $before)
    (canon lift (core func $main "before-block")
      (memory (core memory $main "memory")) (realloc (core func $main "cabi_realloc"))))
  (func $before-unblock (type $before)
    (canon lift (core func $main "before-unblock")
      (memory (core memory $main "memory")) (realloc (core func $main "cabi_realloc"))))
  (func $before-grant-access (type $before)
    (canon lift (core func $main "before-grant-access")
      (memory (core memory $main "memory")) (realloc (core func $main "cabi_realloc"))))
  (func $before-deny-access (type $before)
    (canon lift (core func $main "before-deny-access")
      (memory (core memory $main "memory")) (realloc (core func $main "cabi_realloc"))))
  (func $before-add-user (type $before)
    (canon lift (core func $main "before-add-user")
      (memory (core memory $main "memory")) (realloc (core func $main "cabi_realloc"))))
  (func $after-block (type $after)
    (canon lift (core func $main "after-block")
      (memory (core memory $main "memory")) (realloc (core func $main "cabi_realloc"))))
  (func $after-unblock (type $after)
    (canon lift (core func $main "after-unblock")
      (memory (core memory $main "memory")) (realloc (core func $main "cabi_realloc"))))
  (func $after-grant-access (type $after)
    (canon lift (core func $main "after-grant-access")
      (memory (core memory $main "memory")) (realloc (core func $main "cabi_realloc"))))
  (func $after-deny-access (type $after)
    (canon lift (core func $main "after-deny-access")
      (memory (core memory $main "memory")) (realloc (core func $main "cabi_realloc"))))
  (func $after-add-user (type $after)
    (canon lift (core func $main "after-add-user")
      (memory (core memory $main "memory")) (realloc (core func $main "cabi_realloc"))))

  ;; Gives the types their interface names, as `wit-component` does: imported with equality
  ;; bounds, then exported, each export ascribed in terms of the earlier ones.
  (component $interface
    (type $profile-view' (record
      (field "id" string) (field "email" string) (field "status" string)
      (field "user-id" (option string)) (field "groups" (list string)) (field "data" string)))
    (import "import-type-profile-view" (type $profile-view (eq $profile-view')))
    (type $user-view' (record
      (field "id" string) (field "email" string) (field "status" string)
      (field "groups" (list string)) (field "data" string)))
    (import "import-type-user-view" (type $user-view (eq $user-view')))
    (type $actor-kind' (enum "operator" "api-key" "portal-user" "system"))
    (import "import-type-actor-kind" (type $actor-kind (eq $actor-kind')))
    (type $actor' (record (field "kind" $actor-kind) (field "id" string)))
    (import "import-type-actor" (type $actor (eq $actor')))
    (type $hook-event' (record
      (field "profile" $profile-view) (field "user" (option $user-view)) (field "actor" $actor)
      (field "details" string)))
    (import "import-type-hook-event" (type $hook-event (eq $hook-event')))
    (type $veto' (record (field "message" string)))
    (import "import-type-veto" (type $veto (eq $veto')))
    (type $field-assignment' (record (field "marker" string) (field "value" string)))
    (import "import-type-field-assignment" (type $field-assignment (eq $field-assignment')))
    (type $notification' (record
      (field "channel" string) (field "template" string) (field "data" string)))
    (import "import-type-notification" (type $notification (eq $notification')))
    (type $effect' (variant
      (case "add-to-group" string) (case "remove-from-group" string)
      (case "set-field" $field-assignment) (case "notify" $notification)))
    (import "import-type-effect" (type $effect (eq $effect')))
    (import "import-func-before-block"
      (func $before-block (param "event" $hook-event) (result (result (error $veto)))))
    (import "import-func-before-unblock"
      (func $before-unblock (param "event" $hook-event) (result (result (error $veto)))))
    (import "import-func-before-grant-access"
      (func $before-grant-access (param "event" $hook-event) (result (result (error $veto)))))
    (import "import-func-before-deny-access"
      (func $before-deny-access (param "event" $hook-event) (result (result (error $veto)))))
    (import "import-func-before-add-user"
      (func $before-add-user (param "event" $hook-event) (result (result (error $veto)))))
    (import "import-func-after-block"
      (func $after-block (param "event" $hook-event) (result (list $effect))))
    (import "import-func-after-unblock"
      (func $after-unblock (param "event" $hook-event) (result (list $effect))))
    (import "import-func-after-grant-access"
      (func $after-grant-access (param "event" $hook-event) (result (list $effect))))
    (import "import-func-after-deny-access"
      (func $after-deny-access (param "event" $hook-event) (result (list $effect))))
    (import "import-func-after-add-user"
      (func $after-add-user (param "event" $hook-event) (result (list $effect))))

    (export $profile-view-out "profile-view" (type $profile-view))
    (export $user-view-out "user-view" (type $user-view))
    (export $actor-kind-out "actor-kind" (type $actor-kind))
    (type $actor'' (record (field "kind" $actor-kind-out) (field "id" string)))
    (export $actor-out "actor" (type $actor) (type (eq $actor'')))
    (type $hook-event'' (record
      (field "profile" $profile-view-out) (field "user" (option $user-view-out))
      (field "actor" $actor-out) (field "details" string)))
    (export $hook-event-out "hook-event" (type $hook-event) (type (eq $hook-event'')))
    (export $veto-out "veto" (type $veto))
    (export $field-assignment-out "field-assignment" (type $field-assignment))
    (export $notification-out "notification" (type $notification))
    (type $effect'' (variant
      (case "add-to-group" string) (case "remove-from-group" string)
      (case "set-field" $field-assignment-out) (case "notify" $notification-out)))
    (export $effect-out "effect" (type $effect) (type (eq $effect'')))
    (export "before-block" (func $before-block)
      (func (param "event" $hook-event-out) (result (result (error $veto-out)))))
    (export "before-unblock" (func $before-unblock)
      (func (param "event" $hook-event-out) (result (result (error $veto-out)))))
    (export "before-grant-access" (func $before-grant-access)
      (func (param "event" $hook-event-out) (result (result (error $veto-out)))))
    (export "before-deny-access" (func $before-deny-access)
      (func (param "event" $hook-event-out) (result (result (error $veto-out)))))
    (export "before-add-user" (func $before-add-user)
      (func (param "event" $hook-event-out) (result (result (error $veto-out)))))
    (export "after-block" (func $after-block)
      (func (param "event" $hook-event-out) (result (list $effect-out))))
    (export "after-unblock" (func $after-unblock)
      (func (param "event" $hook-event-out) (result (list $effect-out))))
    (export "after-grant-access" (func $after-grant-access)
      (func (param "event" $hook-event-out) (result (list $effect-out))))
    (export "after-deny-access" (func $after-deny-access)
      (func (param "event" $hook-event-out) (result (list $effect-out))))
    (export "after-add-user" (func $after-add-user)
      (func (param "event" $hook-event-out) (result (list $effect-out)))))
  (instance $hooks (instantiate $interface
    (with "import-func-before-block" (func $before-block))
    (with "import-func-before-unblock" (func $before-unblock))
    (with "import-func-before-grant-access" (func $before-grant-access))
    (with "import-func-before-deny-access" (func $before-deny-access))
    (with "import-func-before-add-user" (func $before-add-user))
    (with "import-func-after-block" (func $after-block))
    (with "import-func-after-unblock" (func $after-unblock))
    (with "import-func-after-grant-access" (func $after-grant-access))
    (with "import-func-after-deny-access" (func $after-deny-access))
    (with "import-func-after-add-user" (func $after-add-user))
    (with "import-type-profile-view" (type $profile-view))
    (with "import-type-user-view" (type $user-view))
    (with "import-type-actor-kind" (type $actor-kind))
    (with "import-type-actor" (type $actor))
    (with "import-type-hook-event" (type $hook-event))
    (with "import-type-veto" (type $veto))
    (with "import-type-field-assignment" (type $field-assignment))
    (with "import-type-notification" (type $notification))
    (with "import-type-effect" (type $effect))))
  (export "portico:plugin/lifecycle-hooks@0.1.0" (instance $hooks)))
