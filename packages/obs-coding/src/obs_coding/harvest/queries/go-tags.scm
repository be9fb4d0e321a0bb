; obs harvest tags for Go. Same capture scheme as python-tags.scm.
; A type_spec matching several patterns keeps its first (most specific) kind.

(function_declaration
  name: (identifier) @name) @definition.function
(method_declaration
  name: (field_identifier) @name) @definition.method
(type_spec
  name: (type_identifier) @name
  type: (struct_type)) @definition.class
(type_spec
  name: (type_identifier) @name
  type: (interface_type)) @definition.interface
(type_spec
  name: (type_identifier) @name) @definition.type
(method_elem
  name: (field_identifier) @name) @definition.method
(source_file
  (const_declaration
    (const_spec
      name: (identifier) @name) @definition.constant))

(call_expression
  function: (identifier) @reference.call)
(call_expression
  function: (selector_expression
    field: (field_identifier) @reference.call))
(type_identifier) @reference.type
