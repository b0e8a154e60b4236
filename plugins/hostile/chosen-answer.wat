;; A field validator whose answer is whatever bytes its caller chose: the first field's marker,
;; in hex, is decoded into its memory from address 0, and the answer (a list of violations) is
;; read from there: its (pointer, length) are the first 8 bytes, and every pointer in it points
;; where those bytes say. The fuzz target of the answer lift (`tests/fuzz`) drives it, so the
;; host's reading of a plugin's answer meets every layout, in bounds and out.
;;
;; Memory: the decoded bytes from 0 (at most 64 KiB), what the host passes in (cabi_realloc)
;; from 1 MiB.
(component
  (core module $main
    (memory (export "memory") 32)
    (global $next (mut i32) (i32.const 1048576))
    (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32)
      (local $at i32)
      (local.set $at (i32.and
        (i32.add (global.get $next) (i32.sub (local.get 2) (i32.const 1)))
        (i32.sub (i32.const 0) (local.get 2))))
      (global.set $next (i32.add (local.get $at) (local.get 3)))
      (local.get $at))
    ;; The value of one hex digit (either case).
    (func $nibble (param $c i32) (result i32)
      (if (result i32) (i32.le_u (local.get $c) (i32.const 57))
        (then (i32.sub (local.get $c) (i32.const 48)))
        (else (i32.and (i32.sub (i32.or (local.get $c) (i32.const 32)) (i32.const 87))
          (i32.const 15)))))
    (func (export "validate") (param i32 i32) (result i32)
      (local $hex i32)
      (local $bytes i32)
      (local $i i32)
      (if (i32.eqz (local.get 1)) (then (return (i32.const 0))))
      ;; The first field's marker: (pointer, length) at the start of its record.
      (local.set $hex (i32.load (local.get 0)))
      (local.set $bytes (i32.shr_u (i32.load offset=4 (local.get 0)) (i32.const 1)))
      (if (i32.gt_u (local.get $bytes) (i32.const 65536))
        (then (local.set $bytes (i32.const 65536))))
      (block $done
        (loop $decode
          (br_if $done (i32.ge_u (local.get $i) (local.get $bytes)))
          (i32.store8 (local.get $i) (i32.or
            (i32.shl (call $nibble (i32.load8_u
              (i32.add (local.get $hex) (i32.shl (local.get $i) (i32.const 1))))) (i32.const 4))
            (call $nibble (i32.load8_u
              (i32.add (local.get $hex) (i32.add (i32.shl (local.get $i) (i32.const 1))
                (i32.const 1)))))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $decode)))
      (i32.const 0)))
  (core instance $main (instantiate $main))

  (type $field-type (enum "string" "integer" "float" "date" "date-time" "time" "text"
    "text-with-header" "image" "group-of-images" "file" "radio-button" "list" "entity"
    "time-interval"))
  (type $date-value (record
    (field "full-date" string) (field "formatted-value" string) (field "format-string" string)))
  (type $text-value (record
    (field "html-value" string) (field "plain-value" string) (field "md-value" string)
    (field "params" (option string))))
  (type $text-with-header-value (record
    (field "header" string) (field "html-value" string) (field "plain-value" string)
    (field "md-value" string) (field "params" (option string))))
  (type $file-value (record
    (field "filename" string) (field "download-link" string) (field "size" u64)
    (field "preview-link" (option string)) (field "params" (option string))))
  (type $choice (record
    (field "title" string) (field "value" string) (field "extended" (option string))))
  (type $entity-id (variant (case "numeric" s64) (case "text" string)))
  (type $field-value (variant
    (case "string" string) (case "integer" s64) (case "float" f64)
    (case "date" $date-value) (case "date-time" $date-value) (case "time" $date-value)
    (case "text" $text-value) (case "text-with-header" $text-with-header-value)
    (case "image" (list $file-value)) (case "group-of-images" (list $file-value))
    (case "file" (list $file-value)) (case "radio-button" $choice) (case "list" (list $choice))
    (case "entity" (list $entity-id)) (case "time-interval" (list (tuple string string)))))
  (type $field (record
    (field "marker" string) (field "field-type" $field-type) (field "value" $field-value)
    (field "settings" string) (field "form-identifier" (option string))
    (field "lang-code" (option string))))
  (type $violation (record
    (field "marker" string) (field "code" string) (field "message" string)))
  (func $validate (param "fields" (list $field)) (result (list $violation))
    (canon lift (core func $main "validate")
      (memory (core memory $main "memory")) (realloc (core func $main "cabi_realloc"))))

  ;; Gives the types their interface names, as `wit-component` does: imported with equality
  ;; bounds, then exported, each export ascribed in terms of the earlier ones.
  (component $interface
    (type $field-type' (enum "string" "integer" "float" "date" "date-time" "time" "text"
      "text-with-header" "image" "group-of-images" "file" "radio-button" "list" "entity"
      "time-interval"))
    (import "import-type-field-type" (type $field-type (eq $field-type')))
    (type $date-value' (record
      (field "full-date" string) (field "formatted-value" string) (field "format-string" string)))
    (import "import-type-date-value" (type $date-value (eq $date-value')))
    (type $text-value' (record
      (field "html-value" string) (field "plain-value" string) (field "md-value" string)
      (field "params" (option string))))
    (import "import-type-text-value" (type $text-value (eq $text-value')))
    (type $text-with-header-value' (record
      (field "header" string) (field "html-value" string) (field "plain-value" string)
      (field "md-value" string) (field "params" (option string))))
    (import "import-type-text-with-header-value"
      (type $text-with-header-value (eq $text-with-header-value')))
    (type $file-value' (record
      (field "filename" string) (field "download-link" string) (field "size" u64)
      (field "preview-link" (option string)) (field "params" (option string))))
    (import "import-type-file-value" (type $file-value (eq $file-value')))
    (type $choice' (record
      (field "title" string) (field "value" string) (field "extended" (option string))))
    (import "import-type-choice" (type $choice (eq $choice')))
    (type $entity-id' (variant (case "numeric" s64) (case "text" string)))
    (import "import-type-entity-id" (type $entity-id (eq $entity-id')))
    (type $field-value' (variant
      (case "string" string) (case "integer" s64) (case "float" f64)
      (case "date" $date-value) (case "date-time" $date-value) (case "time" $date-value)
      (case "text" $text-value) (case "text-with-header" $text-with-header-value)
      (case "image" (list $file-value)) (case "group-of-images" (list $file-value))
      (case "file" (list $file-value)) (case "radio-button" $choice) (case "list" (list $choice))
      (case "entity" (list $entity-id)) (case "time-interval" (list (tuple string string)))))
    (import "import-type-field-value" (type $field-value (eq $field-value')))
    (type $field' (record
      (field "marker" string) (field "field-type" $field-type) (field "value" $field-value)
      (field "settings" string) (field "form-identifier" (option string))
      (field "lang-code" (option string))))
    (import "import-type-field" (type $field (eq $field')))
    (type $violation' (record
      (field "marker" string) (field "code" string) (field "message" string)))
    (import "import-type-violation" (type $violation (eq $violation')))
    (import "import-func-validate"
      (func $validate (param "fields" (list $field)) (result (list $violation))))

    (export $field-type-out "field-type" (type $field-type))
    (export $date-value-out "date-value" (type $date-value))
    (export $text-value-out "text-value" (type $text-value))
    (export $text-with-header-value-out "text-with-header-value" (type $text-with-header-value))
    (export $file-value-out "file-value" (type $file-value))
    (export $choice-out "choice" (type $choice))
    (export $entity-id-out "entity-id" (type $entity-id))
    (type $field-value'' (variant
      (case "string" string) (case "integer" s64) (case "float" f64)
      (case "date" $date-value-out) (case "date-time" $date-value-out)
      (case "time" $date-value-out) (case "text" $text-value-out)
      (case "text-with-header" $text-with-header-value-out)
      (case "image" (list $file-value-out)) (case "group-of-images" (list $file-value-out))
      (case "file" (list $file-value-out)) (case "radio-button" $choice-out)
      (case "list" (list $choice-out)) (case "entity" (list $entity-id-out))
      (case "time-interval" (list (tuple string string)))))
    (export $field-value-out "field-value" (type $field-value) (type (eq $field-value'')))
    (type $field'' (record
      (field "marker" string) (field "field-type" $field-type-out)
      (field "value" $field-value-out) (field "settings" string)
      (field "form-identifier" (option string)) (field "lang-code" (option string))))
    (export $field-out "field" (type $field) (type (eq $field'')))
    (export $violation-out "violation" (type $violation))
    (export "validate" (func $validate)
      (func (param "fields" (list $field-out)) (result (list $violation-out)))))
  (instance $validator (instantiate $interface
    (with "import-func-validate" (func $validate))
    (with "import-type-field-type" (type $field-type))
    (with "import-type-date-value" (type $date-value))
    (with "import-type-text-value" (type $text-value))
    (with "import-type-text-with-header-value" (type $text-with-header-value))
    (with "import-type-file-value" (type $file-value))
    (with "import-type-choice" (type $choice))
    (with "import-type-entity-id" (type $entity-id))
    (with "import-type-field-value" (type $field-value))
    (with "import-type-field" (type $field))
    (with "import-type-violation" (type $violation))))
  (export "portico:plugin/field-validator@0.1.0" (instance $validator)))
