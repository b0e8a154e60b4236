;; A signup policy whose decision carries COUNT claims, each value aliasing the same LEN bytes
;; of its memory (each key: one byte): a few instructions answer COUNT x LEN bytes. Lifting
;; must stop at the output limit, not after copying them all. The tests replace the
;; placeholders and compile it with the `wat` crate.
;;
;; Memory: the answer at 0, the aliased bytes (zeros) from 64 KiB, the claims from 17 MiB,
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
    ;; At 0: `ok(decision)` with no caps; its claims (at 24: pointer, length) are COUNT
    ;; tuples, each with the key "\0" and the value: LEN bytes from 64 KiB.
    (func (export "decide") (param i32 i32 i32 i32 i32 i32 i32 i32) (result i32)
      (local $i i32)
      (local $at i32)
      (block $done
        (loop $claims
          (br_if $done (i32.ge_u (local.get $i) (i32.const {COUNT})))
          (local.set $at (i32.add (i32.const 17825792) (i32.shl (local.get $i) (i32.const 4))))
          (i32.store (local.get $at) (i32.const 65536))
          (i32.store offset=4 (local.get $at) (i32.const 1))
          (i32.store offset=8 (local.get $at) (i32.const 65536))
          (i32.store offset=12 (local.get $at) (i32.const {LEN}))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $claims)))
      (i32.store (i32.const 24) (i32.const 17825792))
      (i32.store (i32.const 28) (i32.const {COUNT}))
      (i32.const 0)))
  (core instance $main (instantiate $main))

  (type $request (record
    (field "profile-id" string) (field "profile-email" string) (field "ttl-seconds" u32)
    (field "with-sign" bool) (field "refresh" bool) (field "live-links" u32)))
  (type $decision (record
    (field "max-ttl-seconds" (option u32)) (field "forbid-with-sign" bool)
    (field "max-live-links" (option u32)) (field "claims" (list (tuple string string)))))
  (type $denial (record (field "code" string) (field "message" string)))
  (type $decide (func (param "request" $request) (result (result $decision (error $denial)))))
  (func $decide (type $decide)
    (canon lift (core func $main "decide")
      (memory (core memory $main "memory")) (realloc (core func $main "cabi_realloc"))))

  ;; Gives the record types their interface names, as `wit-component` does.
  (component $interface
    (type $request' (record
      (field "profile-id" string) (field "profile-email" string) (field "ttl-seconds" u32)
      (field "with-sign" bool) (field "refresh" bool) (field "live-links" u32)))
    (import "import-type-signup-request" (type $request (eq $request')))
    (type $decision' (record
      (field "max-ttl-seconds" (option u32)) (field "forbid-with-sign" bool)
      (field "max-live-links" (option u32)) (field "claims" (list (tuple string string)))))
    (import "import-type-decision" (type $decision (eq $decision')))
    (type $denial' (record (field "code" string) (field "message" string)))
    (import "import-type-denial" (type $denial (eq $denial')))
    (import "import-func-decide"
      (func $decide (param "request" $request) (result (result $decision (error $denial)))))
    (export $request-out "signup-request" (type $request))
    (export $decision-out "decision" (type $decision))
    (export $denial-out "denial" (type $denial))
    (export "decide" (func $decide)
      (func (param "request" $request-out) (result (result $decision-out (error $denial-out))))))
  (instance $policy (instantiate $interface
    (with "import-func-decide" (func $decide))
    (with "import-type-signup-request" (type $request))
    (with "import-type-decision" (type $decision))
    (with "import-type-denial" (type $denial))))
  (export "portico:plugin/signup-policy@0.1.0" (instance $policy)))
