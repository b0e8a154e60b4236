;; A plain core WebAssembly module, not a component: the upload must be
;; refused as "not a WebAssembly component". The tests compile it with the
;; `wat` crate. (Random bytes, the other non-component, are made by the tests.)
(module
  (memory (export "memory") 1)
  (func (export "validate") (param i32 i32) (result i32)
    i32.const 0))
