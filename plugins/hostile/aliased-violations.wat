;; A field validator answering COUNT violations whose messages all alias the same LEN bytes of
;; its memory (marker and code: one byte each): a few instructions answer COUNT x LEN bytes.
;; Lifting must stop at the output limit, not after copying them all. The tests replace the
;; placeholders and compile it with the `wat` crate.
;;
;; Memory: the answer's (pointer, length) at 0, the aliased bytes (zeros) from 64 KiB, the
;; violations from 17 MiB, what the host passes in (cabi_realloc) from 18 MiB.
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
    (func (export "validate") (param i32 i32) (result i32)
      (local $i i32)
      (local $at i32)
      (block $done
        (loop $violations
          (br_if $done (i32.ge_u (local.get $i) (i32.const {COUNT})))
          (local.set $at (i32.add (i32.const 17825792) (i32.mul (local.get $i) (i32.const 24))))
          (i32.store (local.get $at) (i32.const 65536))
          (i32.store offset=4 (local.get $at) (i32.const 1))
          (i32.store offset=8 (local.get $at) (i32.const 65536))
          (i32.store offset=12 (local.get $at) (i32.const 1))
          (i32.store offset=16 (local.get $at) (i32.const 65536))
          (i32.store offset=20 (local.get $at) (i32.const {LEN}))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $violations)))
      (i32.store (i32.const 0) (i32.const 17825792))
      (i32.store (i32.const 4) (i32.const {COUNT}))
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
