;; A signup policy whose memory sits in nested components. The tests replace the HOGS
;; placeholder with copies of `(instance (instantiate $hog))`; each instance of the nested
;; component `$hog` is a core instance holding MEMORY (a memory of some 64 KiB pages, or
;; nothing) and TABLE (one table, or nothing). Every memory on its own stays under the call's memory limit;
;; together they do not. Also used past the per-component caps (too many core instances,
;; memories or tables). The policy itself allows every request. The tests compile it with the
;; `wat` crate.
(component
  (component $hog
    (core module $hog
      {MEMORY}
      {TABLE})
    (core instance (instantiate $hog)))
  {HOGS}

  (core module $main
    (memory (export "memory") 1)
    (global $next (mut i32) (i32.const 1024))
    (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32)
      (local $at i32)
      (local.set $at (global.get $next))
      (global.set $next (i32.add (local.get $at) (i32.add (local.get 3) (i32.const 8))))
      (local.get $at))
    ;; Bytes 0..28 are zero: `ok(decision)` with no caps and no claims.
    (func (export "decide") (param i32 i32 i32 i32 i32 i32 i32 i32) (result i32)
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
