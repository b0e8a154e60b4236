;; Exports `portico:plugin/field-validator@0.1.0` with the right name but the wrong signature,
;; `validate: func(string) -> string` (the interface's is
;; `validate: func(fields: list<field>) -> list<violation>`): the upload must be refused naming
;; the mismatch, before anything is compiled. The tests compile it with the `wat` crate.
(component
  (core module $main
    (memory (export "memory") 1)
    (global $next (mut i32) (i32.const 1024))
    (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32)
      (local $at i32)
      (local.set $at (global.get $next))
      (global.set $next (i32.add (local.get $at) (local.get 3)))
      (local.get $at))
    ;; Answers its argument: the (ptr, len) pair is written at 0.
    (func (export "validate") (param $ptr i32) (param $len i32) (result i32)
      (i32.store (i32.const 0) (local.get $ptr))
      (i32.store (i32.const 4) (local.get $len))
      (i32.const 0)))
  (core instance $main (instantiate $main))
  (func $validate (param "fields" string) (result string)
    (canon lift (core func $main "validate")
      (memory (core memory $main "memory")) (realloc (core func $main "cabi_realloc"))))
  (instance $validator (export "validate" (func $validate)))
  (export "portico:plugin/field-validator@0.1.0" (instance $validator)))
