export {
  defineProjection,
  SHADOW_TABLE_SUFFIX,
  type Projection,
  type ProjectionConfig,
  type ProjectionContext,
  type ProjectionStatements,
} from "./define-projection.js";
